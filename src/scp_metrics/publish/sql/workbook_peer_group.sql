-- Workbook sheet "Peer_group": the home area's peer group as mart_peer_group holds it (the home
-- area first, then the nearest; a delivered group by name).
select * from mart_peer_group
order by is_focus desc, rank nulls last, area_name, area_code
