# Two producers send the same name, in two encodings.
utf8 = "naïve".encode("utf-8")
latin = "naïve".encode("latin-1")
print(len(utf8), len(latin), len(utf8.decode("latin-1")))
try:
    latin.decode("utf-8")
except UnicodeError as err:
    print(type(err).__name__)
