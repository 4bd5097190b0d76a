"""Invoice totals for the web shop. Amounts are in cents.

Written in 2016, extended by many hands since. It works: finance reconciles against it every
month, so what it computes must not change.
"""


def compute_invoice(customer, lines, coupon=None):
    # customer: {"tier": ..., "country": ..., "tax_exempt": ...}
    # lines: [{"sku": ..., "kind": ..., "qty": ..., "unit_price": ...}]
    products = 0
    services = 0
    shipping = 0
    n = 0
    for l in lines:
        n = n + 1
        if l["kind"] == "product":
            if l["qty"] <= 0:
                raise ValueError("line " + str(n) + ": quantity must be positive")
            else:
                if l["unit_price"] < 0:
                    raise ValueError("line " + str(n) + ": price must not be negative")
                else:
                    products = products + l["qty"] * l["unit_price"]
        elif l["kind"] == "service":
            if l["qty"] <= 0:
                raise ValueError("line " + str(n) + ": quantity must be positive")
            else:
                if l["unit_price"] < 0:
                    raise ValueError("line " + str(n) + ": price must not be negative")
                else:
                    services = services + l["qty"] * l["unit_price"]
        elif l["kind"] == "shipping":
            if l["qty"] <= 0:
                raise ValueError("line " + str(n) + ": quantity must be positive")
            else:
                if l["unit_price"] < 0:
                    raise ValueError("line " + str(n) + ": price must not be negative")
                else:
                    shipping = shipping + l["qty"] * l["unit_price"]
        else:
            raise ValueError("line " + str(n) + ": unknown kind " + repr(l["kind"]))

    discount = 0
    tier = customer.get("tier", "standard")
    if tier == "gold":
        discount = products * 5 // 100
        if products >= 100000:
            discount = discount + products * 3 // 100
    elif tier == "platinum":
        discount = products * 10 // 100
        if products >= 100000:
            discount = discount + products * 3 // 100
    else:
        if products >= 100000:
            discount = discount + products * 3 // 100

    if coupon != None:
        if coupon == "WELCOME10":
            if tier != "gold" and tier != "platinum":
                if products * 10 // 100 > 2000:
                    discount = discount + 2000
                else:
                    discount = discount + products * 10 // 100
        elif coupon == "FREESHIP":
            if products - discount >= 5000:
                shipping = 0
        else:
            raise ValueError("unknown coupon " + repr(coupon))

    if tier == "platinum":
        shipping = 0
    else:
        if tier == "gold":
            if products - discount >= 10000:
                shipping = 0

    tax = 0
    if customer.get("tax_exempt", False) == False:
        country = customer["country"]
        if country == "DE":
            tax = ((products - discount) * 19 + 50) // 100
            tax = tax + (services * 19 + 50) // 100
            tax = tax + (shipping * 19 + 50) // 100
        elif country == "FR":
            tax = ((products - discount) * 20 + 50) // 100
            tax = tax + (services * 20 + 50) // 100
            tax = tax + (shipping * 20 + 50) // 100
        elif country == "NL":
            tax = ((products - discount) * 21 + 50) // 100
            tax = tax + (services * 21 + 50) // 100
            tax = tax + (shipping * 21 + 50) // 100
        elif country == "AT":
            tax = ((products - discount) * 20 + 50) // 100
            tax = tax + (services * 20 + 50) // 100
            tax = tax + (shipping * 20 + 50) // 100
        else:
            tax = 0

    return {
        "subtotal": products + services,
        "discount": discount,
        "shipping": shipping,
        "tax": tax,
        "total": products + services - discount + shipping + tax,
    }
