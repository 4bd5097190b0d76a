# Each call gets a frame of its own for its local names; the objects live on the heap.
def depth(n: int) -> int:
    return 1 if n == 0 else 1 + depth(n - 1)


print(depth(3))
