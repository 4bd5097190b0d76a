# Customer names arrive from the socket as bytes.
name = "café"
raw = name.encode("utf-8")
print(len(name), len(raw), raw[-1], raw == name)
