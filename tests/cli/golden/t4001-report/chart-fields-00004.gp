status: 0
--- stdout
# parindex report: chart 'fields-00004' from fields-00004.dat; redraw with: gnuplot fields-00004.gp
set datafile separator "\t"
set datafile missing "?"
set terminal pngcairo size 1000,520 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "fields-00004.png"
set title 'Xã Ngọc Liên: tỷ lệ điểm theo lĩnh vực so với trung bình huyện'
set arrow from graph 0, first 80 to graph 1, first 80 nohead dt 2 lw 1.5 lc rgb "#1a9850" front
set label "sàn 80" at graph 1, first 80 offset 1,0 left font ",8" tc rgb "#1a9850"
set arrow from graph 0, first 70 to graph 1, first 70 nohead dt 2 lw 1.5 lc rgb "#91cf60" front
set label "sàn 70" at graph 1, first 70 offset 1,0 left font ",8" tc rgb "#91cf60"
set arrow from graph 0, first 50 to graph 1, first 50 nohead dt 2 lw 1.5 lc rgb "#f0c419" front
set label "sàn 50" at graph 1, first 50 offset 1,0 left font ",8" tc rgb "#f0c419"
set rmargin 9
set ylabel "Tỷ lệ điểm đạt được (%)"
set xlabel "Lĩnh vực"
set yrange [0:105]
set ytics 10 nomirror
set xtics nomirror
set grid ytics lc rgb "#dddddd"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border rgb "#404040"
set key outside top center horizontal
plot 'fields-00004.dat' using 3:xtic(1) lc rgb "#2b8cbe" title 'Ngọc Liên', \
     "" using 4 lc rgb "#bdbdbd" title "Trung bình huyện"
set terminal svg size 1000,520 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "fields-00004.svg"
replot
unset output
--- stderr
