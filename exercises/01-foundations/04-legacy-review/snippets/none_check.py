# A legacy placeholder class that compares equal to everything.
class Blank:
    def __eq__(self, other: object) -> bool:
        return True


value = Blank()
print(value == None, value is None, None in [value])
