# Three edits to the legacy module, each compiled before it ships.
EDITS = [
    "def total(items):\n    s = 0\n    for x in items:\n    s += x\n    return s\n",
    "def total(items):\n\ts = 0\n        return s\n",
    "def total(items):\n    s = 0\n    for x in items:\n        s += x\n        return s\n",
]
for source in EDITS:
    try:
        compile(source, "billing.py", "exec")
    except SyntaxError as err:
        print(type(err).__name__)
    else:
        print("compiles")
