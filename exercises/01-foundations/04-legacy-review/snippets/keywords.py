# The legacy module names a variable `match` and still has Python 2 `print` statements.
import keyword

print(keyword.iskeyword("match"), keyword.iskeyword("print"), keyword.iskeyword("None"))
