-- Gives a shard's lease back, if the caller still holds it.
-- KEYS[1] lease:<group>:<stream>   ARGV[1] consumer name
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
