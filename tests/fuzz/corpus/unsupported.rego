package p

x := numbers.range(1, 3)
