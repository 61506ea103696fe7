status: 0
--- stdout
# parindex report: chart 'fields-00001' from fields-00001.dat; redraw with: gnuplot fields-00001.gp
set datafile separator "\t"
set datafile missing "?"
set terminal pngcairo size 1100,600 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "fields-00001.png"
set title 'Xã Đông Phong: tỷ lệ điểm theo lĩnh vực so với trung bình huyện'
set arrow from graph 0, first 80 to graph 1, first 80 nohead dt 2 lw 2 lc rgb "#105b30" front
set label "sàn 80" at graph 1, first 80 offset 1,0 left font ",8" tc rgb "#105b30"
set arrow from graph 0, first 70 to graph 1, first 70 nohead dt 2 lw 2 lc rgb "#577c3a" front
set label "sàn 70" at graph 1, first 70 offset 1,0 left font ",8" tc rgb "#577c3a"
set arrow from graph 0, first 50 to graph 1, first 50 nohead dt 2 lw 2 lc rgb "#90760f" front
set label "sàn 50" at graph 1, first 50 offset 1,0 left font ",8" tc rgb "#90760f"
set bmargin 4
set rmargin 9
set ylabel "Tỷ lệ điểm đạt được (%)"
set yrange [0:105]
set ytics 10 nomirror
set xtics nomirror font ",8"
set grid ytics lc rgb "#dddddd"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border rgb "#404040"
set key outside bottom center horizontal
plot 'fields-00001.dat' using 3:xtic(2) lc rgb "#2b8cbe" title 'Đông Phong', \
     "" using 4 lc rgb "#bdbdbd" title "Trung bình huyện"
set terminal svg size 1100,600 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "fields-00001.svg"
replot
unset output
--- stderr
