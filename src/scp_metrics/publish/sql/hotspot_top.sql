-- Report section "Hot spots": the top LSOAs of one crime group by count (1 = the most).
select * from mart_hotspot_lsoas
where area_code = $area_code and crime_group = $crime_group and rank <= $top
order by rank
