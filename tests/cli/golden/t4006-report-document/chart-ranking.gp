status: 0
--- stdout
# parindex report: chart 'ranking' from ranking.dat; redraw with: gnuplot ranking.gp
set datafile separator "\t"
set datafile missing "?"
set terminal pngcairo size 1100,620 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "ranking.png"
set title 'Xếp hạng Chỉ số CCHC — Huyện Thử nghiệm, năm 2024'
set ylabel "Chỉ số CCHC (%)"
set yrange [0:105]
set xrange [-0.6:5.4]
set xtics rotate by 45 right nomirror
set ytics 10 nomirror
set grid ytics lc rgb "#dddddd"
set style fill solid 0.9 border rgb "#404040"
set boxwidth 0.7
set rmargin 6
set key outside bottom center horizontal
set label "* không xếp hạng" at graph 1, graph 1 right font ",8" offset 0,0.8
set arrow from graph 0, first 90 to graph 1, first 90 nohead dt 2 lw 2 lc rgb "#105b30" front
set label '90' at graph 1, first 90 offset 1,0 left font ",8" tc rgb "#105b30"
set arrow from graph 0, first 80 to graph 1, first 80 nohead dt 2 lw 2 lc rgb "#577c3a" front
set label '80' at graph 1, first 80 offset 1,0 left font ",8" tc rgb "#577c3a"
set arrow from graph 0, first 65 to graph 1, first 65 nohead dt 2 lw 2 lc rgb "#90760f" front
set label '65' at graph 1, first 65 offset 1,0 left font ",8" tc rgb "#90760f"
plot "ranking.dat" using 0:4:5:xtic(3) with boxes lc rgb variable notitle, \
     "" using 0:4:(strcol(4)) with labels offset 0,0.7 font ",8" notitle, \
     keyentry with boxes lc rgb "#1a9850" title 'Hoàn thành xuất sắc nhiệm vụ (≥ 90; lĩnh vực ≥ 80)', \
     keyentry with boxes lc rgb "#91cf60" title 'Hoàn thành tốt nhiệm vụ (≥ 80; lĩnh vực ≥ 70)', \
     keyentry with boxes lc rgb "#f0c419" title 'Hoàn thành nhiệm vụ (≥ 65; lĩnh vực ≥ 50)', \
     keyentry with boxes lc rgb "#d73027" title 'Không hoàn thành nhiệm vụ', \
     keyentry with boxes lc rgb "#b0b0b0" title "Chưa xếp loại (thiếu điểm hoặc phiếu khảo sát)"
set terminal svg size 1100,620 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "ranking.svg"
replot
unset output
--- stderr
