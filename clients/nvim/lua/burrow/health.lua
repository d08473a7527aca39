-- `:checkhealth burrow`: is the server command there, does the model runtime answer, is the model
-- installed, and where are the logs. It asks a running client (`burrow.doctor`) when there is
-- one, else runs `burrow doctor --json` once.
local client = require('burrow.client')
local compat = require('burrow.compat')
local config = require('burrow.config')

local M = {}
local health = compat.health
local check_runtimes

local function check_version()
  health.start('Neovim')
  local v = vim.version()
  local version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if compat.has('0.11') then
    health.ok('Neovim ' .. version .. ': the client starts through vim.lsp.enable("burrow").')
  elseif compat.has('0.8') then
    health.ok('Neovim ' .. version .. ': the client starts through vim.lsp.start().')
  else
    health.ok('Neovim ' .. version .. ': the client starts through vim.lsp.start_client().')
  end
end

-- The command that runs the doctor: the server command with --stdio swapped for `doctor --json`.
local function doctor_cmd(cmd)
  local out = {}
  for _, part in ipairs(cmd) do
    if part ~= '--stdio' then
      table.insert(out, part)
    end
  end
  vim.list_extend(out, { 'doctor', '--json' })
  return out
end

local function check_server()
  health.start('Server')
  local cmd = config.options.cmd
  if type(cmd) ~= 'table' or not cmd[1] then
    health.error('The server command is not set.', { "setup({ cmd = { 'burrow', '--stdio' } })" })
    return false
  end
  if vim.fn.executable(cmd[1]) == 0 then
    health.error(
      string.format('"%s" is not an executable on $PATH.', cmd[1]),
      { 'Install Burrow (npm install -g burrow) or set cmd in setup() to the full path.' }
    )
    return false
  end
  health.ok('Server command: ' .. table.concat(cmd, ' '))
  -- `node path/to/burrow.js` names a script that must exist too.
  if vim.fn.fnamemodify(cmd[1], ':t'):match('^node') and cmd[2] and not compat.exists(cmd[2]) then
    health.error(string.format('The script %s does not exist.', cmd[2]), { 'Build Burrow with npm run build.' })
    return false
  end
  local running = client.running()
  if running then
    health.ok(string.format('A burrow client is running (id %d, root %s).', running.id, running.config.root_dir or '?'))
  else
    health.info('No burrow client is running yet; it starts with the first file buffer or :Burrow command.')
  end
  return true
end

local function ask_doctor()
  local running = client.running()
  if running and running.initialized then
    local result, err = compat.request_sync(running, 'workspace/executeCommand', {
      command = 'burrow.doctor',
      arguments = { vim.empty_dict() },
    }, 10000)
    if result ~= nil then
      -- burrow.doctor answers { report, text }; `burrow doctor --json` prints the report alone.
      return type(result) == 'table' and result.report or result, 'the running server (burrow.doctor)'
    end
    health.warn('The running server did not answer burrow.doctor: ' .. tostring(err))
  end
  local cmd = doctor_cmd(config.options.cmd)
  local output = vim.fn.system(cmd)
  local ok, decoded = pcall(compat.json_decode, output)
  if ok and type(decoded) == 'table' then
    return decoded, table.concat(cmd, ' ')
  end
  -- The first lines are enough to say what went wrong; a stack trace would bury the report.
  local first = vim.list_slice(vim.split(vim.trim(output), '\n', { plain = true }), 1, 3)
  return nil,
    string.format('%s printed no JSON (exit %d): %s', table.concat(cmd, ' '), vim.v.shell_error, table.concat(first, ' '))
end

-- Model names compare without Ollama's implicit ":latest".
local function same_model(a, b)
  local function canonical(name)
    name = tostring(name or '')
    return name:find(':') and name or (name .. ':latest')
  end
  return canonical(a) == canonical(b)
end

-- Fields of a runtime entry that the lines below already say in words.
local described = { name = true, label = true, reachable = true, url = true, reason = true, models = true, version = true }

--- Every runtime `burrow.doctor` reports (Ollama, LM Studio, the embedded llama.cpp runtime, or
--- whatever a newer server adds), each with what the server says about it: reachable or not and
--- why, its models, and any other plain fields (the embedded runtime's build, its model file).
check_runtimes = function(doctor, provider)
  local runtimes = type(doctor.runtimes) == 'table' and doctor.runtimes or {}
  if #runtimes == 0 then
    return
  end
  health.start('Model runtimes Burrow knows')
  for _, r in ipairs(runtimes) do
    local name = r.label or r.name or '?'
    local models = {}
    for _, m in ipairs(type(r.models) == 'table' and r.models or {}) do
      table.insert(models, type(m) == 'table' and (m.name or m.path or '?') or tostring(m))
    end
    local extra = {}
    local keys = vim.tbl_keys(r)
    table.sort(keys)
    for _, key in ipairs(keys) do
      local value = r[key]
      if not described[key] and (type(value) == 'string' or type(value) == 'number' or type(value) == 'boolean') then
        table.insert(extra, key .. ': ' .. tostring(value))
      end
    end
    local detail = (#models > 0 and ('; models: ' .. table.concat(models, ', ')) or '; no models') .. (#extra > 0 and ('; ' .. table.concat(extra, ', ')) or '')
    if r.reachable then
      health.ok(string.format('%s%s: available%s%s', name, r.url and (' at ' .. r.url) or '', r.version and (' (version ' .. r.version .. ')') or '', detail))
    elseif r.name == provider then
      health.warn(string.format('%s: not available (%s)%s', name, r.reason or 'no reason given', detail))
    else
      health.info(string.format('%s: not available (%s)%s', name, r.reason or 'no reason given', detail))
    end
  end
end

local function check_runtime()
  health.start('Model runtime')
  local doctor, source = ask_doctor()
  if not doctor then
    health.error('Could not ask Burrow for a diagnosis: ' .. source)
    return nil
  end
  health.info('Diagnosis from ' .. source .. '.')
  -- The server's next steps, shown under an error (nil when it has none).
  local advice = type(doctor.advice) == 'table' and #doctor.advice > 0 and doctor.advice or nil
  local provider = doctor.provider or 'ollama'
  local coder = type(doctor.coder) == 'table' and doctor.coder.model or nil
  local runtime
  for _, r in ipairs(type(doctor.runtimes) == 'table' and doctor.runtimes or {}) do
    if r.name == provider then
      runtime = r
    end
  end
  if runtime then
    if runtime.reachable then
      health.ok(string.format('%s answers at %s%s.', runtime.label or runtime.name, runtime.url or '?', runtime.version and (' (version ' .. runtime.version .. ')') or ''))
      local installed = false
      for _, m in ipairs(runtime.models or {}) do
        if same_model(m.name, coder) then
          installed = true
        end
      end
      if coder and installed then
        health.ok('The coder model ' .. coder .. ' is installed.')
      elseif coder then
        health.error('The coder model ' .. coder .. ' is not installed.', advice)
      end
    else
      health.error(
        string.format('%s does not answer at %s: %s', runtime.label or runtime.name, runtime.url or '?', runtime.reason or 'no reason given'),
        advice
      )
    end
  elseif doctor.ready then
    health.ok(string.format('Provider %s is ready with %s.', provider, coder or '?'))
  else
    health.error(string.format('Provider %s is not ready.', provider), advice)
  end
  if type(doctor.recommendation) == 'table' and doctor.recommendation.reason then
    health.info('Model choice: ' .. doctor.recommendation.reason)
  end
  check_runtimes(doctor, provider)
  return doctor
end

local function check_logs(doctor)
  health.start('Logs')
  if doctor and type(doctor.stateDir) == 'string' then
    health.info('Burrow keeps its state (plans, diffs, undo snapshots, the egress ledger) under ' .. doctor.stateDir)
  else
    local state = os.getenv('XDG_STATE_HOME') or (compat.uv.os_homedir() .. '/.local/state')
    health.info('Burrow keeps its state (plans, diffs, undo snapshots, the egress ledger) under ' .. state .. '/burrow')
  end
  health.info(
    "Burrow logs to its standard error, which Neovim keeps in its LSP log with the messages between them: "
      .. vim.lsp.get_log_path()
  )
end

function M.check()
  check_version()
  local server_ok = check_server()
  local doctor = server_ok and check_runtime() or nil
  check_logs(doctor)
end

return M
