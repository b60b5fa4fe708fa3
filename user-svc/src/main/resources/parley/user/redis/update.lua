-- KEYS: user:{email}, users, events:users, login_failures:{email} (not used here; every write passes the same four)   ARGV: email, json, nfields, field...
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4, 3 + tonumber(ARGV[3])))
return 1
