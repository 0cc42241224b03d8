package p

p := 1
p := 2
q[k] := v if some k, v in {"a": 1}
q.a := 2
