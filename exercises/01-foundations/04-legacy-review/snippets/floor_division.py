# A refund of -7 cents is split into two instalments.
cents = -7
print(cents // 2, cents % 2, int(cents / 2))
