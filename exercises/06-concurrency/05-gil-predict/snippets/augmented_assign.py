# How many bytecode instructions run from reading `counter` to writing it back?
import dis

counter = 0


def bump() -> None:
    global counter
    counter += 1


ops = [instruction.opname for instruction in dis.get_instructions(bump)]
ops = ops[ops.index("LOAD_GLOBAL") : ops.index("STORE_GLOBAL") + 1]
print(len(ops))
