# How long (in seconds) may a thread run Python code before the interpreter asks it to let
# another thread take the GIL?
import sys

print(sys.getswitchinterval())
