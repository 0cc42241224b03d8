package p

f(x) := f(x)
y := f(1)
