package p

p if q
q if p
