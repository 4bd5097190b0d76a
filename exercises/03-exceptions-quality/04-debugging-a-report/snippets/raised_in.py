# Which function's frame raised the KeyError (the last frame of the traceback)?
from crash import crashed_frame

error, frame = crashed_frame()
print(frame.f_code.co_name)
