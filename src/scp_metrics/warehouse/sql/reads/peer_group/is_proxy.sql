-- Whether the home area's peer group is the proxy group (open data).
select count(*) > 0 from mart_peer_group where group_label = $label
