status: 0
--- stdout
# parindex report: chart 'appraisal' from appraisal.dat; redraw with: gnuplot appraisal.gp
set datafile separator "\t"
set datafile missing "?"
set terminal svg size 1100,620 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "appraisal.svg"
set title 'Điểm tự đánh giá và điểm thẩm định — Cẩm Giàng, năm 2021'
set xlabel "Điểm tự đánh giá"
set ylabel "Điểm thẩm định"
set xrange [0:*]
set yrange [0:*]
set tics nomirror
set grid lc rgb "#dddddd"
set key outside bottom center horizontal
plot "appraisal.dat" using 3:4 with points pt 7 ps 0.8 lc rgb "#2b8cbe" title "Mỗi điểm là một đơn vị", \
     x with lines dt 2 lc rgb "#777777" title "Điểm thẩm định bằng điểm tự đánh giá"
unset output
--- stderr
