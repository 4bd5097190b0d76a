# In the post-mortem debugger, at the frame that raised: `p min(totals)`.
from crash import crashed_frame

error, frame = crashed_frame()
print(repr(min(frame.f_locals["totals"])))
