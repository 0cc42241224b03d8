package p
import rego.v1
x := `raw
string` 
y := "\u00e9\ud83d\ude00"
z := -1.5e3 + 0.5 * 2 / 4 % 3
