status: 0
--- stdout
# parindex report: chart 'ranking~p1' from ranking~p1.dat; redraw with: gnuplot ranking~p1.gp
set datafile separator "\t"
set datafile missing "?"
set terminal svg size 1100,850 font "DejaVu Sans,10" noenhanced background "#ffffff"
set output "ranking~p1.svg"
set title 'Xếp hạng Chỉ số CCHC — Cẩm Giàng, năm 2021 (phần 1/5: thứ tự 1–33)'
set lmargin 34
set format x "%g %%"
set xrange [0:105]
set yrange [32.6:-0.6]
set xtics 10 nomirror
set ytics nomirror scale 0 font ",9"
set grid xtics lc rgb "#dddddd"
set style fill solid 0.9 border rgb "#404040"
set rmargin 6
set key outside bottom center horizontal
set arrow from first 90, graph 0 to first 90, graph 1 nohead dt 2 lw 2 lc rgb "#105b30" front
set label '90' at first 90, graph 1 offset 0,0.6 center font ",8" tc rgb "#105b30"
set arrow from first 80, graph 0 to first 80, graph 1 nohead dt 2 lw 2 lc rgb "#577c3a" front
set label '80' at first 80, graph 1 offset 0,0.6 center font ",8" tc rgb "#577c3a"
set arrow from first 65, graph 0 to first 65, graph 1 nohead dt 2 lw 2 lc rgb "#90760f" front
set label '65' at first 65, graph 1 offset 0,0.6 center font ",8" tc rgb "#90760f"
plot 'ranking~p1.dat' using (column(4)/2):0:(column(4)/2):(0.35):5:ytic(7) with boxxyerror lc rgb variable notitle, \
     "" using 4:0:(strcol(4)) with labels left offset 0.5,0 font ",8" notitle, \
     keyentry with boxes lc rgb "#1a9850" title 'Hoàn thành xuất sắc nhiệm vụ (≥ 90; lĩnh vực ≥ 80)', \
     keyentry with boxes lc rgb "#91cf60" title 'Hoàn thành tốt nhiệm vụ (≥ 80; lĩnh vực ≥ 70)', \
     keyentry with boxes lc rgb "#f0c419" title 'Hoàn thành nhiệm vụ (≥ 65; lĩnh vực ≥ 50)', \
     keyentry with boxes lc rgb "#d73027" title 'Không hoàn thành nhiệm vụ', \
     keyentry with boxes lc rgb "#b0b0b0" title "Chưa xếp loại (thiếu điểm hoặc phiếu khảo sát)"
unset output
--- stderr
