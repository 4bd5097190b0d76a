# Flags are counted with `sum`, and a table of handlers is keyed by status code.
flags = [True, False, True]
handlers = {1: "retry", True: "paid", 1.0: "refund"}
print(sum(flags), len(handlers), handlers[1])
