status: 0
--- stdout
# parindex report: chart 'answers-qa' from answers-qa.dat; redraw with: gnuplot answers-qa.gp
set datafile separator "\t"
set datafile missing "?"
set terminal pngcairo size 1100,480 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "answers-qa.png"
set title 'Câu qa. Câu hỏi a'
set bmargin 4
set ylabel "Tỷ lệ trả lời (%)"
set yrange [0:100]
set ytics 20 nomirror
set xtics nomirror font ",8"
set grid ytics lc rgb "#dddddd"
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border rgb "#404040"
set boxwidth 0.6
set key outside bottom center horizontal
plot 'answers-qa.dat' using 3:xtic(1) title columnheader(3) lc rgb "#1a9850", \
     "" using 4 title columnheader(4) lc rgb "#fee08b", \
     "" using 5 title columnheader(5) lc rgb "#d73027", \
     "" using 6 title columnheader(6) lc rgb "#bdbdbd"
set terminal svg size 1100,480 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "answers-qa.svg"
replot
unset output
--- stderr
