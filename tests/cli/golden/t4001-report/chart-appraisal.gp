status: 0
--- stdout
# parindex report: chart 'appraisal' from appraisal.dat; redraw with: gnuplot appraisal.gp
set datafile separator "\t"
set datafile missing "?"
set terminal pngcairo size 1100,620 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "appraisal.png"
set title 'Điểm tự đánh giá và điểm thẩm định — Huyện Thử nghiệm, năm 2024'
set ylabel "Điểm (phần tự đánh giá)"
set yrange [0:*]
set ytics nomirror
set xtics rotate by 45 right nomirror
set grid ytics lc rgb "#dddddd"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border rgb "#404040"
set key outside bottom center horizontal
plot "appraisal.dat" using 3:xtic(2) lc rgb "#fdae61" title "Điểm tự đánh giá", \
     "" using 4 lc rgb "#2b8cbe" title "Điểm thẩm định"
set terminal svg size 1100,620 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "appraisal.svg"
replot
unset output
--- stderr
