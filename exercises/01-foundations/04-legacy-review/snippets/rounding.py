# The legacy module rounds with the built-in `round`, to whole euros and to cents.
print(round(2.5), round(3.5), round(2.675, 2))
