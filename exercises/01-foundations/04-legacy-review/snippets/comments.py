# Which of these two explanations does the function keep?
def charge(amount):
    # Charge the customer's card.
    return amount


def refund(amount):
    "Refund the customer's card."
    return amount


print(charge.__doc__, "|", refund.__doc__)
