"""The documented George Clinton records, as the 0.2.0 documentation shows them."""

from __future__ import annotations

from typing import Any

# Field values are facts from the 0.2.0 usage documentation; the fake serves them unchanged so
# that every documented example holds against it.

DOCUMENTED_USER: dict[str, Any] = {
    'class_name': 'User',
    'created_at': '2015-03-28T19:52:59.150319197-07:00',
    'description': (
        "It's always gotten better by Thursday. www.georgeclinton.com"
    ),
    'display_name': 'George Clinton',
    'id': '376827',
    'initials': '',
    'is_beta_user': False,
    'is_employee': False,
    'is_twitter_verified': True,
    'n_followers': 14535,
    'n_following': 739,
    'n_hearts': 2768274,
    'profile_image_urls': [
        {
            'height': 128,
            'ssl_url': (
                'https://pbs.twimg.com/profile_images/482413674338869248/7GBl'
                'IsEm_reasonably_small.jpeg'
            ),
            'url': (
                'http://pbs.twimg.com/profile_images/482413674338869248/7GBlI'
                'sEm_reasonably_small.jpeg'
            ),
            'width': 128,
        },
        {
            'height': 200,
            'ssl_url': (
                'https://pbs.twimg.com/profile_images/482413674338869248/7GBl'
                'IsEm_200x200.jpeg'
            ),
            'url': (
                'http://pbs.twimg.com/profile_images/482413674338869248/7GBlI'
                'sEm_200x200.jpeg'
            ),
            'width': 200,
        },
        {
            'height': 400,
            'ssl_url': (
                'https://pbs.twimg.com/profile_images/482413674338869248/7GBl'
                'IsEm_400x400.jpeg'
            ),
            'url': (
                'http://pbs.twimg.com/profile_images/482413674338869248/7GBlI'
                'sEm_400x400.jpeg'
            ),
            'width': 400,
        },
    ],
    'twitter_id': '23177270',
    'twitter_screen_name': 'george_clinton',
    'username': 'george_clinton',
}

DOCUMENTED_BROADCAST: dict[str, Any] = {
    'available_for_replay': True,
    'camera_rotation': 271,
    'city': '',
    'class_name': 'Broadcast',
    'country': '',
    'country_state': '',
    'created_at': '2016-12-12T10:26:50.779286143-08:00',
    'end': '2016-12-12T11:43:16.649191397-08:00',
    'expiration': -1,
    'featured': False,
    'friend_chat': False,
    'has_location': False,
    'has_moderation': True,
    'height': 568,
    'highlight_available': True,
    'id': '1zqKVWybqeDGB',
    'image_url': (
        'https://tn.periscope.tv/C1RnUS8FqSm9cmrM0cXRM3MV3epaqaZgHc7W'
        'M_kUgiABO6iDkhwyNl56XVdvdkOV6R5vWZbUaLgsefoJYg_0GA/chunk_878'
        '.jpg?Expires=1796931805&Signature=FMb0NHoTz5BLpZIPCSS~xyVTDT'
        'mYRHLlxQoNqsn96ffDMgs5N1WVBsIMtthsTujYcaCNie3QdP02SyxUsqQcmu'
        'qJaHodcAdYt~8qDxs6qX2~8-foURHADqzOAMm6xUhvnjap4SuF~nZSsdmVPh'
        'uwl0lbF4ylG443huQB6qmQdzzlAZG1~gVU9dHQXA5cdH0smEcOIc1ujkcmGX'
        '1wk-t2Gkd~C4ujC1szvcDBi5Bpjxb80k2-oKDZs3TLqfOVzXaGaJesFshePF'
        'ugFfVSrenJK2SQUEbulWAWOeWQf5ab~RvwSvucVqy2CAzkR3xtxWFY1CfBR8'
        'Rmt8vTpa8uN~r9Ag__&Key-Pair-Id=APKAIHCXHHQVRTVSFRWQ'
    ),
    'image_url_small': (
        'https://tn.periscope.tv/C1RnUS8FqSm9cmrM0cXRM3MV3epaqaZgHc7W'
        'M_kUgiABO6iDkhwyNl56XVdvdkOV6R5vWZbUaLgsefoJYg_0GA/chunk_878'
        '_thumb_128.jpg?Expires=1796931805&Signature=JW9iFJZDqYeXKglW'
        'AsNh-f-D8QtBp7abjKKks2p80~k~LoSGFdY289CDX~DFquTamf2t-HVB6oFw'
        'NaAXel49xbY1TZFI5VyOVfVp2UCZwxXsF03b4WgmCfO13EZFpD~DIi0afALw'
        '~oxoHmk7n-WaBwlnBXogegSCbKmLPu5BGRlZJW9N7WTT7keLq-9DGRa5BSpp'
        'cz-e3frgieZEJBbldef01do1sQsywK5z86FY21XE~xszIfb6new2dWFtJ7Jr'
        '0QQmyQBMaK-TU8o6y8kkqKU5cfjLPn~TwGUTUN2A0uyE6QDY2BRsO3sZJ7Ho'
        'Xzk-Cvxys0FzXr-i6iDU3McrKQ__&Key-Pair-Id=APKAIHCXHHQVRTVSFRW'
        'Q'
    ),
    'ip_lat': 0,
    'ip_lng': 0,
    'is_locked': False,
    'iso_code': '',
    'language': 'en',
    'ping': '2016-12-12T11:43:08.860300617-08:00',
    'profile_image_url': (
        'https://pbs.twimg.com/profile_images/482413674338869248/7GBl'
        'IsEm_reasonably_small.jpeg'
    ),
    'start': '2016-12-12T10:41:09.286489243-08:00',
    'state': 'ENDED',
    'status': (
        '🍋🍊#GeorgeClinton funkin N D Garden to take to grandmother n '
        'law fish already packed🚘🛤🚜 while listening to Music'
    ),
    'tags': ['GeorgeClinton'],
    'tweet_id': '808381195981451264',
    'twitter_username': 'george_clinton',
    'updated_at': '2016-12-12T11:43:25.626913215-08:00',
    'user_display_name': 'George Clinton',
    'user_id': '376827',
    'username': 'george_clinton',
    'width': 320,
}

DOCUMENTED_HISTORY: list[dict[str, Any]] = [
    {
        'available_for_replay': True,
        'camera_rotation': 0,
        'city': 'Lake Hiawatha, NJ',
        'class_name': 'Broadcast',
        'country': 'United States',
        'country_state': '',
        'created_at': '2016-05-27T20:03:44.732179203-07:00',
        'end': '2016-05-27T20:10:34.727278696-07:00',
        'expiration': -1,
        'featured': False,
        'friend_chat': False,
        'has_location': True,
        'has_moderation': False,
        'height': 568,
        'id': '1YqGoOkLbLAGv',
        'image_url': (
            'https://tn.periscope.tv/x4AraTkCeWbW6CyWIQXoYrer45aCkUJZML7T'
            'dClEUrPD62GMRa8RE4ztZpvt-3nBxp-eoZTZa9hEagUpQy9U9Q==/chunk_9'
            '4.jpg?Expires=1779765037&Signature=X3idH7qrnCykvVYqlThNFa-z-'
            'i9g~mH7AUi8Lm5XdfuZwbV10GOh52xtGnfR5B45n4l0xSdz2Vz66rijM0Qbi'
            'mzPrUjyD09Gu72nNj2JPZzxOK3YZSjIZFDwzJLi71WO7L5I051k7mFwYj5l4'
            '~s2JmXr9TM5ZHiRkQTZ72sBYLIYJ6tmiWnWDAPE6wwcJ0ZIJfVqHyL8mRBGw'
            '5J4eFfbYe8JO7CkiDtNaQBI1H7n8BgzbnAqdU1J0k9kUErFdHgdi6gD-RAnP'
            'vhQOFmA2lTdVhha2LHRs4gCIR9GNSL9PLNzyYqBnaxtH2Jo4sZPNsymZhYgk'
            'lF7GOc7YS7KhmSilg__&Key-Pair-Id=APKAIHCXHHQVRTVSFRWQ'
        ),
        'image_url_small': (
            'https://tn.periscope.tv/x4AraTkCeWbW6CyWIQXoYrer45aCkUJZML7T'
            'dClEUrPD62GMRa8RE4ztZpvt-3nBxp-eoZTZa9hEagUpQy9U9Q==/chunk_9'
            '4_thumb_128.jpg?Expires=1779765037&Signature=RwiKlnFJZrhkkZC'
            'SkNcJaaLlK~PwFEeCZH8Df-IoPt6FCxQZ-oVXGJzPMePl0Hm-4FxuzHyZDRE'
            'BNlvnJof5qRPYR7TL9QPEtAstLDbidUqnXSKMNs-gLUqMv5P7VP~mAckViUW'
            '4nKv6kVxnX8XHuHFJkDbCGyX8c3lIkCUOt~Wk1nV0OzdHC72KJrwcR~9752E'
            'QYSBKJxATlcYM0gTEPLDk8CGDuGqWS211D7ATcnfJcNJ9a8NliNSFPQTXsa2'
            'ue5vaPPlWsjpLX8sQCJq-2SYbIHsDw7csmoPEMCYW-40jiSoLdSYbE4h9Xvj'
            'g0JupPrfjB9I6f3OfE8YrKVLJDQ__&Key-Pair-Id=APKAIHCXHHQVRTVSFR'
            'WQ'
        ),
        'ip_lat': 40.862,
        'ip_lng': -74.412,
        'is_locked': False,
        'iso_code': 'US',
        'language': 'en',
        'n_total_watched': 529,
        'n_total_watching': 0,
        'n_watching': 0,
        'n_web_watching': 0,
        'ping': '2016-05-27T20:10:29.619904440-07:00',
        'profile_image_url': (
            'http://pbs.twimg.com/profile_images/482413674338869248/7GBlI'
            'sEm_reasonably_small.jpeg'
        ),
        'start': '2016-05-27T20:04:44.636015867-07:00',
        'state': 'ENDED',
        'status': '#George Clinton',
        'tags': ['George'],
        'twitter_username': 'george_clinton',
        'updated_at': '2016-05-27T20:10:37.315814298-07:00',
        'user_display_name': 'George Clinton',
        'user_id': '376827',
        'username': 'george_clinton',
        'width': 320,
    },
    {
        'available_for_replay': True,
        'camera_rotation': 0,
        'city': '',
        'class_name': 'Broadcast',
        'country': '',
        'country_state': '',
        'created_at': '2016-05-27T15:06:18.751291780-07:00',
        'end': '2016-05-27T15:12:58.781942930-07:00',
        'expiration': -1,
        'featured': False,
        'friend_chat': False,
        'has_location': False,
        'has_moderation': False,
        'height': 568,
        'id': '1nAKEnBDXXnGL',
        'image_url': (
            'https://tn.periscope.tv/eurvYFivZmErfex_Bnj33ESp711ZJPTfUC_K'
            'Dr5p7xfRuEl77eusMM59moAk00cBb7nI_U8orb95ivVVprgUkA==/chunk_9'
            '6.jpg?Expires=1779747181&Signature=XWyaURZLs808ds7u-vhmhpcf8'
            'zHjkWF~6Jg9kwbdASu4Do7kUOjw11qNQodPfA3EtCFvE5ClN7Jvyt7lSzIAr'
            'dp7VS5XlULPepu9YoIXBMRaB7RNeL7aIwNSrv3o3yw3ryZAoCyloG31H-hqO'
            'jLsFSQBXkfrmC-pQM~wgwsJp41wSQDx8HSGjkPzh7U1MOBc6Nvf4KCvHgpVh'
            'SHtmkkGRRsXjVVJLQ0qEpws0GjMYC-hRuzSdf8~9p4BwwPpAO79Cdl0w8haS'
            'Ksxd9MI4F8JgdU1AtnyP575t7HZQH1wCk3b97U3F2fTm1ij0l-RX6Y8ivnDn'
            'UcXIoB7j3ZTvt1piA__&Key-Pair-Id=APKAIHCXHHQVRTVSFRWQ'
        ),
        'image_url_small': (
            'https://tn.periscope.tv/eurvYFivZmErfex_Bnj33ESp711ZJPTfUC_K'
            'Dr5p7xfRuEl77eusMM59moAk00cBb7nI_U8orb95ivVVprgUkA==/chunk_9'
            '6_thumb_128.jpg?Expires=1779747181&Signature=a5KZMriA7-CoEYX'
            'CpHWU2j4TM~1WkZof-wpeQtDsgO9haZcUL0qQy5hiuPWcGOD3IiYCAegYfRz'
            'ZtaAgO78qM0QkbKZl5vEZLenXHep16ZB4qQAiDXBayN2fIqWKpAIefTPpT-l'
            '11NZgs9JfWGOn4LZ2KDzGl7du1ZqwoViP56b1B2evPCAH0HSXgUhfvE4lcoB'
            'kunBwamK1amy8rDCTe-u9kI3vqV~bN500RxbfiKyYeZW8ukwjqtYMSilPFil'
            'mlv8znaBXNiRA4lsOG4XGJC0xuHQ46JD0Wp5T85gH-UH6Faqq0bh~aTOesVo'
            '~lRd9v0y6Uo3yIZGHK~vEz9McJw__&Key-Pair-Id=APKAIHCXHHQVRTVSFR'
            'WQ'
        ),
        'ip_lat': 0,
        'ip_lng': 0,
        'is_locked': False,
        'iso_code': '',
        'language': 'en',
        'n_total_watched': 1643,
        'n_total_watching': 0,
        'n_watching': 0,
        'n_web_watching': 0,
        'ping': '2016-05-27T15:12:48.828646925-07:00',
        'profile_image_url': (
            'http://pbs.twimg.com/profile_images/482413674338869248/7GBlI'
            'sEm_reasonably_small.jpeg'
        ),
        'start': '2016-05-27T15:06:52.018796186-07:00',
        'state': 'ENDED',
        'status': '#George Clinton talking with driver',
        'tags': ['George'],
        'twitter_username': 'george_clinton',
        'updated_at': '2016-05-27T15:13:01.172799853-07:00',
        'user_display_name': 'George Clinton',
        'user_id': '376827',
        'username': 'george_clinton',
        'width': 320,
    },
]
