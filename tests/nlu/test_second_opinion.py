"""The second opinion (nlu_components/second_opinion.py) with the real sentence encoder.

It runs in the Rasa environment, so the check runs as a script there: the component is
trained on a small labelled set through Rasa's own model storage, loaded back from it, and
given messages whose upstream guess is set the way DIET would set it. An everyday question
that the model took for sextortion goes to the fallback (the guess kept in the ranking and
in `second_opinion`); taken for a crisis, it stays a crisis marked `asked`; a real
disclosure keeps its guess; a threat to post pics that the model was unsure about becomes
sextortion; asking for a person is DIET's call, either way; everyday lines left as everyday are not
touched.
"""

from __future__ import annotations

from tests.support.rasa_script import run_in_rasa_env

SCRIPT = r"""
import json, tempfile
from pathlib import Path
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from nlu_components.plain_tokenizer import PlainWhitespaceTokenizer
from nlu_components.sentence_encoder import SentenceEncoderFeaturizer
from nlu_components.second_opinion import SecondOpinion

safety = {
    "crisis": ["i want to die", "i dont want to be alive anymore", "im going to hurt myself tonight",
               "nobody would miss me if i was gone", "i cant go on living like this"],
    "sextortion": ["he says he will post my pics unless i pay", "someone is threatening to leak my nudes",
                   "they want money or they send the photo to my friends"],
    "unsafe_contact": ["an older guy online keeps asking if im home alone", "a man from a game wants to meet me",
                       "he told me to keep our chats a secret from my parents"],
    "human": ["can i talk to a real person", "i want a human please"],
    "danger": ["hes outside my house right now", "someone is following me home", "im scared hes coming to hurt me now"],
    "pressure": ["my boyfriend keeps asking for nudes", "he wont stop asking me to send pics", "she says i should send a video"],
    "image_shared": ["my pic got posted online", "someone shared my nude in a group chat", "how do i get my photo taken down"],
    "friend": ["my friend is being blackmailed", "i think my friend is in trouble online", "how do i help my friend"],
    "legal_worry": ["will i get arrested for sending a pic", "am i in trouble with the police", "is it illegal that i sent it"],
}
everyday = ["what time does the cinema open", "how do i change my address on my bank card",
            "play some music by the beatles", "whats the weather like tomorrow", "i love pizza with extra cheese",
            "my football team lost again lol", "can you recommend a good book", "how many moons does jupiter have",
            "book a table for two at eight", "the bus was late this morning", "i finished my homework early",
            "what is the capital of france", "set an alarm for seven", "my cat knocked over a plant"]
examples = [Message.build(text=t, intent=i) for i, ts in safety.items() for t in ts]
examples += [Message.build(text=t, intent="out_of_scope") for t in everyday]

storage = LocalModelStorage(Path(tempfile.mkdtemp()))
context = ExecutionContext(GraphSchema({}), "test")
tokenizer = PlainWhitespaceTokenizer.create(PlainWhitespaceTokenizer.get_default_config(), storage, Resource("tok"), context)
featurizer = SentenceEncoderFeaturizer.create({**SentenceEncoderFeaturizer.get_default_config(), "alias": "encoder"},
                                              storage, Resource("enc"), context)
data = TrainingData(training_examples=examples)
featurizer.process_training_data(tokenizer.process_training_data(data))
resource = Resource("opinion")
SecondOpinion.create({}, storage, resource, context).train(data)
opinion = SecondOpinion.load({}, storage, resource, context)

def parsed(text, *ranking):
    message = Message.build(text=text)
    featurizer.process(tokenizer.process([message]))
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", ranked[0], add_to_output=True)
    message.set("intent_ranking", ranked, add_to_output=True)
    opinion.process([message])
    return {"intent": message.get("intent")["name"], "ranking": [r["name"] for r in message.get("intent_ranking")],
            "opinion": message.get("second_opinion")}

print(json.dumps({
    "everyday_as_sextortion": parsed("how late is the pharmacy open on sundays", ("sextortion", 0.99)),
    "everyday_as_crisis": parsed("how late is the pharmacy open on sundays", ("crisis", 0.99)),
    "disclosure": parsed("i really dont want to live anymore", ("crisis", 0.99)),
    "unsure_threat": parsed("they say theyll send my pics to everyone unless i pay them", ("friend", 0.4), ("sextortion", 0.35)),
    "person": parsed("what time does the cinema open", ("human", 0.99)),
    "not_into_person": parsed("can i talk to a real person", ("bot_challenge", 0.6), ("human", 0.3)),
    "already_everyday": parsed("what time does the cinema open", ("out_of_scope", 0.99)),
}))
"""


def test_the_second_opinion_drops_an_everyday_false_alarm_and_never_a_disclosure():
    result = run_in_rasa_env(SCRIPT)

    everyday = result["everyday_as_sextortion"]
    assert everyday["intent"] == "nlu_fallback"
    assert everyday["ranking"] == ["nlu_fallback", "sextortion"]
    assert everyday["opinion"]["decision"] == "vetoed" and everyday["opinion"]["model_intent"] == "sextortion"
    # A crisis guess is never dropped: the crisis action asks instead of asserting.
    asked = result["everyday_as_crisis"]
    assert asked["intent"] == "crisis" and asked["opinion"]["decision"] == "asked"

    disclosure = result["disclosure"]
    assert disclosure["intent"] == "crisis" and disclosure["opinion"]["decision"] == "kept"
    assert disclosure["opinion"]["p_safety"] > 0.5

    threat = result["unsure_threat"]
    assert threat["intent"] == "sextortion" and threat["opinion"]["decision"] == "switched"
    assert threat["ranking"][0] == "sextortion"

    person = result["person"]
    assert person["intent"] == "human" and person["ranking"] == ["human"] and person["opinion"]["decision"] == "kept"
    # Only DIET tells asking for a person from asking whether the bot is one.
    not_moved = result["not_into_person"]
    assert not_moved["intent"] == "bot_challenge" and not_moved["opinion"]["decision"] == "kept"
    assert result["already_everyday"]["intent"] == "out_of_scope" and result["already_everyday"]["opinion"] is None
