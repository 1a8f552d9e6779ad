-- The home area's peer group as mart_peer_group holds it (delivered, else the proxy group).
select group_id, area_code, area_name
from mart_peer_group
order by rank, area_code
