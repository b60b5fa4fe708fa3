-- KEYS: user:{email}, users, events:users, login_failures:{email}   ARGV: email, unused, nfields, field...
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[4])
redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4, 3 + tonumber(ARGV[3])))
return 1
