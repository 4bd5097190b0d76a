# Two objects that refer to each other: what does reference counting alone free of them?
import gc
import weakref

gc.disable()


class Node:
    pass


a, b = Node(), Node()
a.other, b.other = b, a
ref = weakref.ref(a)
del a, b
before = ref() is None
gc.collect()
after = ref() is None
print(before, after)
