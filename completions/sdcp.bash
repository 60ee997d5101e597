# SPDX-License-Identifier: MIT
# bash completion for sdcp (splice-direct): options, the values of options that take a fixed
# choice, and paths otherwise.
#
# Nothing here lists sdcp's options: they are read from `sdcp --help` (and each option's
# choices from the list sdcp prints for a wrong one: "Valid arguments are: ..."), once a
# shell, so the completion cannot fall behind the command. It needs bash alone, not the
# bash-completion package (which loads it from its completions folder when sdcp is first
# completed; or source this file).

# _sdcp_load CMD: read CMD --help, once, into
#   _sdcp_words  what an option word may be: "-a", "--archive", "--sparse=" (needs its value)
#   _sdcp_meta   option -> the name of its value in the help (WHEN, DIRECTORY, N, ...)
#   _sdcp_long   option -> its long name ("-t" -> "--target-directory")
#   _sdcp_next   options whose value may be the next word ("-t DIR", "--suffix SUFFIX")
# Returns 1 when CMD gives no help.
_sdcp_load()
{
	local line word name meta long next
	local -a words names
	[[ ${_sdcp_cmd-} == "$1" ]] && return 0
	_sdcp_cmd=$1
	_sdcp_words=()
	declare -gA _sdcp_meta=() _sdcp_long=() _sdcp_next=() _sdcp_choices=()
	while IFS= read -r line; do
		# "  -t, --target-directory=DIRECTORY  copy ...": the options, up to two spaces
		[[ $line =~ ^\ +(-[^ ]+(,\ -[^ ]+)*) ]] || continue
		IFS=', ' read -ra words <<<"${BASH_REMATCH[1]}"
		meta='' long='' next='' names=()
		for word in "${words[@]}"; do
			name=${word%%=*}
			name=${name%%\[*}
			names+=("$name")
			[[ $name == --* ]] && long=$name
			case $word in
			*\[=*) # an optional value: only as --name=VALUE
				meta=${word#*\[=}
				meta=${meta%]}
				_sdcp_words+=("$name")
				;;
			*=*)
				meta=${word#*=}
				next=1
				_sdcp_words+=("$name=")
				;;
			*) _sdcp_words+=("$name") ;;
			esac
		done
		# "-S, --suffix=SUFFIX": -S takes the value too
		for name in "${names[@]}"; do
			[[ $meta ]] && _sdcp_meta[$name]=$meta
			[[ $next ]] && _sdcp_next[$name]=1
			[[ $long ]] && _sdcp_long[$name]=$long
		done
	done < <(LC_ALL=C "$1" --help 2>/dev/null)
	((${#_sdcp_words[@]})) && return 0
	_sdcp_cmd=
	return 1
}

# _sdcp_choose CMD OPTION: fill _sdcp_choices[OPTION] with its choices, separated by spaces
# ("" for none), from CMD's refusal of a value that is none of them. Without operands sdcp
# copies nothing: it stops at the value, or at the missing operand.
_sdcp_choose()
{
	local line
	[[ -v _sdcp_choices[$2] ]] && return 0
	_sdcp_choices[$2]=
	while IFS= read -r line; do
		# "  - 'none', 'off'"
		[[ $line == "  - '"* ]] || continue
		line=${line#"  - '"}
		line=${line%"'"}
		_sdcp_choices[$2]+="${line//"', '"/ } "
	done < <(LC_ALL=C "$1" "$2=?" </dev/null 2>&1 >/dev/null)
}

# _sdcp_value CMD OPTION CUR [PREFIX]: COMPREPLY for OPTION's value CUR; each word starts
# with PREFIX ("--sparse=" where the word was not split at "=").
_sdcp_value()
{
	local meta=${_sdcp_meta[$2]-} long=${_sdcp_long[$2]-} cur=$3 pre=${4-} list='' c
	local -a choices=()
	if [[ $long ]]; then
		_sdcp_choose "$1" "$long"
		read -ra choices <<<"${_sdcp_choices[$long]}"
	fi
	if ((${#choices[@]})); then
		# ATTR_LIST: words separated by commas, the last one completed
		if [[ $meta == *_LIST && $cur == *,* ]]; then
			list=${cur%,*},
			cur=${cur##*,}
		fi
		for c in "${choices[@]}"; do
			[[ $c == "$cur"* ]] && COMPREPLY+=("$pre$list$c")
		done
		[[ $meta == *_LIST ]] && compopt -o nospace 2>/dev/null
	elif [[ $meta == DIRECTORY ]]; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		[[ $pre ]] && COMPREPLY=("${COMPREPLY[@]/#/$pre}")
	fi
	# any other value (N, SIZE, SUFFIX, CTX) is the user's to type
	return 0
}

_sdcp()
{
	local cmd=${1/#\~/$HOME} cur=${COMP_WORDS[COMP_CWORD]} prev='' before='' i
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	((COMP_CWORD > 1)) && before=${COMP_WORDS[COMP_CWORD - 2]}
	# after "--", operands only; without sdcp's help, paths only
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -- ]] && break
	done
	if ((i < COMP_CWORD)) || ! _sdcp_load "$cmd"; then
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
	fi

	# bash splits "--sparse=al" at "=" (it is in COMP_WORDBREAKS): "--sparse" "=" "al"
	if [[ $cur == = && $prev == --* ]]; then
		_sdcp_value "$cmd" "$prev" ""
	elif [[ $prev == = && $before == --* ]]; then
		_sdcp_value "$cmd" "$before" "$cur"
	elif [[ $cur == --*=* ]]; then # where "=" is no word break
		_sdcp_value "$cmd" "${cur%%=*}" "${cur#*=}" "${cur%%=*}="
	elif [[ $prev == -* && ${_sdcp_next[$prev]+1} ]]; then
		_sdcp_value "$cmd" "$prev" "$cur"
	elif [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${_sdcp_words[*]}" -- "$cur")
		[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
	else
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
	return 0
}
complete -F _sdcp sdcp
