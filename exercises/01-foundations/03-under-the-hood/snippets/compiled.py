# What is the type of the object `compile` returns? It is what the interpreter runs.
print(type(compile("1 + 1", "<sum>", "eval")).__name__)
