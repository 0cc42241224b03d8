package p

s := {1, "a", [1], {"k": set()}, null, true}
t := s | {2}
u := s & {1}
v := s - {1}
w := count(s)
