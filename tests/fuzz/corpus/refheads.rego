package p

p[x][y] := z if {
  some x, row in input.m
  some y, z in row
}
#input
{"m":[[1,2],[3,4]]}
