# After how many milliseconds of running Python code is a thread asked to hand the GIL over?
import sys

print(round(sys.getswitchinterval() * 1000))
