# Ten sales of 0.10 each, added up as floats and as Decimals.
from decimal import Decimal

print(sum([0.1] * 10) == 1, sum([Decimal("0.10")] * 10) == 1)
