# A default value is made once, when `def` runs, and kept with the function.
def add(item: int, into: list[int] = []) -> list[int]:
    into.append(item)
    return into


add(1)
print(add(2))
