# `sum` asks only that what it is given can be iterated over, and what comes out added.
def total(values):
    return sum(values)


print(total((1, 2)), total({3: "a", 4: "b"}))
