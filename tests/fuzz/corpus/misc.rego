package p

q := input with input as {"a": 1}
r := x if { x := [1, 2][_]; x > 1 } else := 0
default d := false
