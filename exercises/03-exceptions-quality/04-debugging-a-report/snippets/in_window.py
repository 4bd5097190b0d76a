# In the post-mortem debugger, at the frame that raised: `p in_window(sale.day, report_date, days)`.
from crash import crashed_frame
from nightly_report import in_window

error, frame = crashed_frame()
names = frame.f_locals
print(repr(in_window(names["sale"].day, names["report_date"], names["days"])))
