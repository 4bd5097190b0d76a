# The legacy module adds up a basket's line items as floats, then compares the total.
subtotal = 0.1 + 0.2
print(subtotal == 0.3, round(subtotal, 2) == 0.3)
