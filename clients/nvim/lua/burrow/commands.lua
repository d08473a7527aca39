-- The `:Burrow {subcommand} {args}` user command: parsing, completion, and the table from each
-- subcommand to the function in `require('burrow')` (or the review tab) that does the work. Every
-- key in the plan float, the diff tab and the chat buffer has a subcommand here.
local M = {}

local function burrow()
  return require('burrow')
end

local function review()
  return require('burrow.review')
end

local function text_of(args)
  local text = table.concat(args, ' ')
  return text ~= '' and text or nil
end

local utf16 = require('burrow.compat').utf16_index

--- The LSP range of a `:'<,'>Burrow task` selection: the visual marks when they match the range
--- given (characterwise), else whole lines.
function M.selection_range(opts)
  if not opts.range or opts.range == 0 then
    return nil
  end
  local buf = vim.api.nvim_get_current_buf()
  local first, last = opts.line1, opts.line2
  local start_mark = vim.api.nvim_buf_get_mark(buf, '<')
  local end_mark = vim.api.nvim_buf_get_mark(buf, '>')
  local last_text = vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] or ''
  if vim.fn.visualmode() == 'v' and start_mark[1] == first and end_mark[1] == last then
    local first_text = vim.api.nvim_buf_get_lines(buf, first - 1, first, false)[1] or ''
    -- The end mark is on the last selected character; the LSP end is just after it.
    local end_byte = math.min(end_mark[2] + 1, #last_text)
    return {
      start = { line = first - 1, character = utf16(first_text, start_mark[2]) },
      ['end'] = { line = last - 1, character = utf16(last_text, end_byte) },
    }
  end
  return {
    start = { line = first - 1, character = 0 },
    ['end'] = { line = last - 1, character = utf16(last_text, #last_text) },
  }
end

--- Take the leading `--provider NAME` and `--model NAME` flags off `args` (a cloud provider is
--- chosen per task, and Burrow asks before anything is sent to it).
function M.task_options(args)
  local options = {}
  while args[1] == '--provider' or args[1] == '--model' do
    local flag = table.remove(args, 1)
    local value = table.remove(args, 1)
    if value then
      options[flag:sub(3)] = value
    end
  end
  return options
end

-- name → { run = function(args, opts), complete = list|nil, help = sentence }
M.subcommands = {
  task = {
    help = 'start a task: :Burrow task [--provider P] [--model M] {what to do} (with a range: about the selection)',
    complete = { '--provider', '--model' },
    run = function(args, opts)
      local options = M.task_options(args)
      burrow().task(text_of(args), M.selection_range(opts), options)
    end,
  },
  approve = {
    help = 'approve the plan waiting for approval (plan float: a)',
    run = function()
      burrow().approve()
    end,
  },
  revise = {
    help = 'send the plan back with feedback: :Burrow revise {feedback} (plan float: r)',
    run = function(args)
      burrow().revise(text_of(args))
    end,
  },
  reject = {
    help = 'reject the waiting plan or changes: :Burrow reject {feedback} (plan float: x, diff tab: gR)',
    run = function(args)
      burrow().reject(text_of(args))
    end,
  },
  apply = {
    help = 'apply every hunk of the newest task waiting with changes',
    run = function()
      burrow().apply()
    end,
  },
  submit = {
    help = 'apply the hunks accepted in the diff tab (diff tab: <CR>)',
    run = function()
      burrow().submit()
    end,
  },
  hunk = {
    help = 'in the diff tab: :Burrow hunk next|prev|accept|reject|accept-all (]h [h ga gr gA)',
    complete = { 'next', 'prev', 'accept', 'reject', 'accept-all' },
    run = function(args)
      local action = args[1]
      if action == 'next' then
        review().jump(1)
      elseif action == 'prev' then
        review().jump(-1)
      elseif action == 'accept' then
        review().decide('accepted')
      elseif action == 'reject' then
        review().decide('rejected')
      elseif action == 'accept-all' then
        review().decide_all('accepted')
      else
        vim.notify('Burrow: :Burrow hunk takes next, prev, accept, reject or accept-all.', vim.log.levels.WARN)
      end
    end,
  },
  file = {
    help = 'in the diff tab: :Burrow file next|prev (]f [f)',
    complete = { 'next', 'prev' },
    run = function(args)
      review().show_file_relative(args[1] == 'prev' and -1 or 1)
    end,
  },
  review = {
    help = 'reopen the plan float or diff tab of the newest task waiting for a decision',
    run = function()
      burrow().show()
    end,
  },
  close = {
    help = 'close the plan float, diff tab or chat without deciding (q)',
    run = function()
      burrow().close()
    end,
  },
  chat = {
    help = 'open the chat buffer; :Burrow chat {question} also sends it',
    run = function(args)
      burrow().chat(text_of(args))
    end,
  },
  send = {
    help = 'in the chat buffer: send what is typed under "## You" (<CR>)',
    run = function()
      burrow().send()
    end,
  },
  status = {
    help = 'list this session\'s tasks',
    run = function()
      burrow().status()
    end,
  },
  cancel = {
    help = 'cancel the newest unfinished task',
    run = function(args)
      burrow().cancel(args[1])
    end,
  },
  retry = {
    help = 'run the newest rejected, failed or applied task again: :Burrow retry {feedback}',
    run = function(args)
      burrow().retry(text_of(args))
    end,
  },
  undo = {
    help = 'undo the newest applied task (:Burrow undo {taskId} for another)',
    run = function(args)
      burrow().undo(args[1])
    end,
  },
  models = {
    help = 'show installed models and the recommendation for this machine',
    run = function()
      burrow().models()
    end,
  },
  doctor = {
    help = 'show whether the model runtime is reachable and the model installed',
    run = function()
      burrow().doctor()
    end,
  },
  grant = {
    help = 'let Burrow read and write a folder: :Burrow grant {path}',
    complete = 'dir',
    run = function(args)
      burrow().grant(text_of(args))
    end,
  },
  revoke = {
    help = 'withdraw a granted folder: :Burrow revoke {path}',
    complete = 'dir',
    run = function(args)
      burrow().revoke(text_of(args))
    end,
  },
}

local function names()
  local list = vim.tbl_keys(M.subcommands)
  table.sort(list)
  return list
end

--- The `:Burrow` command's callback.
function M.run(opts)
  local args = vim.split(vim.trim(opts.args or ''), '%s+', { trimempty = true })
  local name = table.remove(args, 1)
  local sub = name and M.subcommands[name]
  if not sub then
    local lines = { name and ('Burrow: unknown subcommand "' .. name .. '". ') or '', 'Usage:' }
    for _, n in ipairs(names()) do
      table.insert(lines, string.format('  :Burrow %-8s %s', n, M.subcommands[n].help))
    end
    vim.notify(table.concat(lines, '\n'), name and vim.log.levels.ERROR or vim.log.levels.INFO)
    return
  end
  sub.run(args, opts)
end

--- Completion for `:Burrow`.
function M.complete(arg_lead, cmdline)
  local words = vim.split(cmdline, '%s+', { trimempty = true })
  local completing_sub = #words == 1 or (#words == 2 and arg_lead ~= '')
  if completing_sub then
    return vim.tbl_filter(function(n)
      return vim.startswith(n, arg_lead)
    end, names())
  end
  local sub = M.subcommands[words[2]]
  if not sub or not sub.complete then
    return {}
  end
  if sub.complete == 'dir' then
    return vim.fn.getcompletion(arg_lead, 'dir')
  end
  return vim.tbl_filter(function(n)
    return vim.startswith(n, arg_lead)
  end, sub.complete)
end

return M
