# Is the object gone as soon as its last reference is, before any garbage collection?
import gc
import weakref

gc.disable()


class Box:
    pass


box = Box()
ref = weakref.ref(box)
del box
print(ref() is None)
