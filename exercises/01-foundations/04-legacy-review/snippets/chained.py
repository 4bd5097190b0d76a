# Range checks from the legacy validator.
limit = 3
print(1 < limit > 2, 2 == 2 in [2], (2 == 2) in [2])
