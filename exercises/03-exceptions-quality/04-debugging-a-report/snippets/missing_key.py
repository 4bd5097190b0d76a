# The key that was missing, as the last line of the traceback names it.
from crash import crashed_frame

error, frame = crashed_frame()
print(error.args[0].isoformat())
