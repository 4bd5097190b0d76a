# Two attempts at a running total kept in a closure.
def broken():
    total = 0

    def add(amount):
        total += amount
        return total

    return add


def fixed():
    total = 0

    def add(amount):
        nonlocal total
        total += amount
        return total

    return add


try:
    broken()(5)
except Exception as err:
    print(type(err).__name__)
tally = fixed()
tally(5)
print(tally(3))
