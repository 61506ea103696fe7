status: 0
--- stdout
# parindex report: chart 'quota' from quota.dat; redraw with: gnuplot quota.gp
set datafile separator "\t"
set datafile missing "?"
set terminal pngcairo size 1100,620 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "quota.png"
set title 'Số phiếu khảo sát so với chỉ tiêu tối thiểu của từng nhóm — Huyện Thử nghiệm, năm 2024'
set ylabel "Số phiếu / số phiếu tối thiểu (%)"
set yrange [0:*]
set ytics nomirror
set xtics rotate by 45 right nomirror
set grid ytics lc rgb "#dddddd"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border rgb "#404040"
set key outside bottom center horizontal
set rmargin 8
set arrow from graph 0, first 100 to graph 1, first 100 nohead dt 2 lw 1.5 lc rgb "#d73027" front
set label "chỉ tiêu" at graph 1, first 100 offset 1,0 left font ",8" tc rgb "#d73027"
plot "quota.dat" using 3:xtic(2) lc rgb "#1f77b4" title 'A. Nhóm A (tối thiểu 2)', \
     "" using 4 lc rgb "#ff7f0e" title 'B. Nhóm B (tối thiểu 2)'
set terminal svg size 1100,620 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "quota.svg"
replot
unset output
--- stderr
